"""HTTP routes: thin, validate -> store / analysis / viz -> respond."""
