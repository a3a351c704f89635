"""Receipt codes: shown to the voter once, stored only as a hash beside their ballot in the box.

A code is 20 characters of Crockford-style base32 (100 random bits), shown in groups of four:
`7KQ2-M9XD-4TRB-HW3N-P8CE`. Its hash is public, and anyone can recompute it, so the formula is fixed and keyless:

    sha256("groundgame-receipt:v1:<ballot id>:<code without dashes, upper case>").hexdigest()

100 bits make guessing a code from its published hash hopeless; the ballot id in the hash keeps a code from one
ballot meaning anything in another.
"""

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
LENGTH = 20
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def receipt_code_new() -> str:
    """A fresh receipt code from the operating system's secure random source."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def receipt_code_normalise(code: str) -> str:
    """Upper case, no dashes or spaces, and the letters people misread (O, I, L) as the digits they stand for."""
    text = "".join(ch for ch in code.upper() if ch not in "- \t")
    return "".join(_READ_AS.get(ch, ch) for ch in text)


def receipt_hash(*, ballot_id: int, code: str) -> str:
    """The public hash of a receipt code for one ballot (see the module docstring for the formula)."""
    text = f"groundgame-receipt:v1:{ballot_id}:{receipt_code_normalise(code)}"
    return hashlib.sha256(text.encode("ascii", "replace")).hexdigest()
