"""Legal review services. Import from the modules: ``determine``, ``requests``, ``assign``,
``extensions``, ``opinions``, ``discussions``, ``alerts``."""
