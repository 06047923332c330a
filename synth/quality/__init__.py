"""Quality machinery shared by the quality stages: text shingles, LSH bands, n-gram indexes."""
