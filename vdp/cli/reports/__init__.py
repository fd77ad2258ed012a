"""`vdp reports …`: the team reads, triages, credits and discloses."""
