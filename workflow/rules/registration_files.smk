# Inputs and outputs of the business-registration rules (workflow/rules/registration.smk), kept
# apart from the rules (snakemake --lint: no functions beside rules): which extracts a run reads
# and which registration outputs it requests.


#: Extract files of the synthetic world, by kind: the file names of the rules writing them
#: (yrd.synthetic.registration.CHANGE_FILES, yrd.synthetic.investment.INVESTMENT_FILES).
SYNTHETIC_REGISTRATION_FILES = {
    "change": [f[0] for f in CHANGE_FILES],
    "investment": [f[0] for f in INVESTMENT_FILES],
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


def registration_on():
    """True when the run reads registration extracts (of either kind)."""
    return bool(
        registration_input_files("change") or registration_input_files("investment")
    )


def flow_sources():
    """The flow sources of this run (yrd.flows.sources): ASIF moves when the run reads the survey,
    registered relocations when it reads change extracts, investments when it reads investment
    extracts."""
    out = ["asif"] if ASIF else []
    if registration_input_files("change"):
        out.append("changes")
    if registration_input_files("investment"):
        out.append("investments")
    return out


def registration_events(kind):
    """The relocation ("change") or expansion ("investment") events of the registration records as
    an input of the claims (C2/C3 by source), or no input when the run has no extracts of that kind.
    """
    if not registration_input_files(kind):
        return []
    name = {"change": "relocation_events", "investment": "expansion_events"}[kind]
    return f"{RESULTS}registration/{name}.parquet"


def registration_validation(name):
    """A score of the registration records against the synthetic truth (validation/<name>) when
    the run reads the synthetic world's extracts, else no input."""
    return f"{RESULTS}validation/{name}" if registration_synthetic() else []


def registration_targets():
    """Registration outputs that the default target (all) requests when the run reads extracts:
    the clean records, their links and events, the flows of every source and the comparison.
    """
    if not registration_on():
        return []
    return (
        registration_outputs() + registration_link_outputs() + flows_sources_outputs()
    )
