"""Staff pages: people, cohorts, ateliers, programmes, and the CSV import of users."""
