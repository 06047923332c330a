"""What a finished run tells a person: report/ (funnel, cost, plots) and the data card."""
