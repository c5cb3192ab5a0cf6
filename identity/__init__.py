"""Identity: one verified account per real person or organisation, assurance levels, privacy."""
