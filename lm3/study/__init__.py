"""The study, where inputs, placing and the rounds meet: ``locate``, ``calculate``, the result and its tables,
scenarios, ``compare`` and project folders (``lm3.toml``)."""
