"""Sample data, loading and validation of CRM tables."""
