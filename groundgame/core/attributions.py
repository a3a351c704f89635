"""Attribution lines that must be shown wherever the reference data is shown (the footer)."""

ATTRIBUTIONS = [
    "Contains Parliamentary information licensed under the Open Parliament Licence v3.0",
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2022/2024",
    "Contains OS data © Crown copyright and database right 2014; Contains Royal Mail data © Royal Mail copyright "
    "and database right 2014; Contains National Statistics data © Crown copyright and database right 2014",
    "Hex layouts © Open Innovations (MIT)",
    "Composite UK IMD © mySociety, CC BY 4.0",
]
