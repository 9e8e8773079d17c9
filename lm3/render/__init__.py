"""Rendering results as files: the one workbook writer, report.html and report.xlsx, charts, the supplier
template and the survey forms."""
