"""The inputs of a study: payments (``ingest``), supplier registers and payroll (``readers``), survey answers
(``surveys``), Companies House bulk data. Siblings of ``place`` and ``rounds``: they never import one another."""
