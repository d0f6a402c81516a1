"""Identity resolution: one person across every partner's records."""
