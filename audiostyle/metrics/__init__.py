"""Quality metrics for bench and reports."""
