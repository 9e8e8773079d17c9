"""Values every layer may use: money as exact pence, dates, shares, name keys and the one company-number
rule, Arrow helpers, safe text for cells and HTML, and the one JSON encoder."""
