"""Service levels: clock policies and SLA clocks, SLAs and objectives, metrics."""
