"""The defaults that the service's settings (``settings.Settings``, pydantic-settings) and the
command line's plain reader (``cli_settings.read_settings``) share, so neither imports the
other for them."""

#: the embedded store's file under the current folder when GRAPH_STORE is not set
DEFAULT_STORE_FILE = "graph-service.db"
#: the prefix of every environment variable the settings read
ENV_PREFIX = "GRAPH_"
