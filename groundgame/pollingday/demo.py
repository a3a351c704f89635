"""Demo seed for pollingday. Called by `core.demo.seed_demo` (`groundgame demo`) after the earlier apps' seeds."""


def seed_demo_lines(*, password: str) -> list[str]:
    return []
