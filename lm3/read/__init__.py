"""Reading tables: a file or DataFrame to cells under canonical column names (encodings, headers, sheets,
repairs), with every input field declared once (``fields``) and row problems collected (``problems``)."""
