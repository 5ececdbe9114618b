"""Claim config blocks shared by the claim and figure tests (the defaults of config/config.yaml's
claims.c1, c2 and c3 that the tests rely on)."""

C1_CFG = {
    "level": "prefecture",
    "metrics": ["ellison_glaeser", "locational_gini"],
    "specialisation": "krugman_specialisation",
    "integration": None,
    "min_years": 5,
    "min_clusters": 5,
}
C2_CFG = {
    "window": [2000, 2004],
    "partners": ["sunan", "zhejiang"],
    "outflow_classes": ["labour", "capital"],
    "inflow_classes": ["port", "urban"],
    "min_moves": 10,
    "break_year": 2011,
}
C3_CFG = {"provinces": ["31", "32", "33"], "start": 2000, "end": None, "min_years": 4, "break_year": 2011}
