"""Monitoring of indicators (sections II, IV and V of the plan). Built in the monitoring issue."""
