# Shared helpers: configuration validation and config access for params.
from yrd.config import validate_config

# Fail before any rule runs, naming the key and what was expected.
validate_config(config, workflow.source_path("../../config/schemas/config.schema.yaml"))


def config_provider(*keys):
    """Value of a nested config key, for `params:` so that changing it reruns exactly the jobs using it."""
    value = config
    for key in keys:
        value = value[key]
    return value
