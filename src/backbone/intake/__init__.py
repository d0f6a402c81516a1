"""Partner data intake: contracts, importers, validation and atomic, archived loads."""
