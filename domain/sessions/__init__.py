"""The МЦУ as a collegial body: its composition, sessions with quorum and votes, protocols,
the tasks its decisions set, polls imported as feedback and publications on official pages."""
