# Inputs and outputs of the business-registration rules (workflow/rules/registration.smk), kept
# apart from the rules (snakemake --lint: no functions beside rules): which extracts a run reads
# and which registration outputs it requests.


#: Extract files of the synthetic world, by kind (names of the contract of issue 16; the lead
#: points these at yrd.synthetic.registration.CHANGE_FILES and
#: yrd.synthetic.investment.INVESTMENT_FILES after merging). Kept in this one place.
SYNTHETIC_REGISTRATION_FILES = {
    "change": [
        "changes_zh_utf8.csv",
        "changes_en_gbk.csv",
        "changes_zh_gbk.csv",
        "changes_en.xlsx",
        "changes_zh.xlsx",
    ],
    "investment": [
        "investments_zh_utf8.csv",
        "investments_en_gbk.csv",
        "investments_zh.xlsx",
        "investments_en.xlsx",
    ],
}
#: Config key of the user's extract list of each kind.
REGISTRATION_KEYS = {"change": "changes", "investment": "investments"}


def registration_synthetic():
    """True when the run reads the synthetic world's registration extracts."""
    return bool(config["run"]["synthetic"] and config["registration"]["use_synthetic"])


def registration_input_files(kind):
    """The extract files of one kind ("change" or "investment") read by ingest_registration: the
    synthetic world's (resources/raw/<world>/registration/<name>) when registration_synthetic(),
    else registration.changes / registration.investments (checked by validate_config).
    """
    if config["run"]["synthetic"]:
        if not config["registration"]["use_synthetic"]:
            return []
        folder = synthetic_world_dir() / "registration"
        return [str(folder / name) for name in SYNTHETIC_REGISTRATION_FILES[kind]]
    return [str(p) for p in config["registration"][REGISTRATION_KEYS[kind]]]


def registration_truth(name):
    """A truth table of the synthetic world's registration extracts."""
    return str(synthetic_world_dir() / "registration" / "truth" / name)


def registration_outputs():
    """Outputs of the registration steps a run requests: none without records (a user run with
    both lists empty, or a synthetic run with use_synthetic false); the address score only on a
    synthetic world."""
    if not (
        registration_input_files("change") or registration_input_files("investment")
    ):
        return []
    out = [
        f"{RESULTS}registration/changes.parquet",
        f"{RESULTS}registration/investments.parquet",
        f"{RESULTS}registration/quarantine.parquet",
        f"{RESULTS}registration/reconciliation.csv",
    ]
    if registration_synthetic():
        out.append(f"{RESULTS}validation/registration_addresses.json")
    return out


def registration_targets():
    """Registration outputs that the default target (all) requests: a user's extracts only for
    now (the synthetic world's extracts come from rules simulate_registration and
    simulate_investments; the lead wires that case in after merging)."""
    return [] if config["run"]["synthetic"] else registration_outputs()
