"""`vdp serve`'s AWS side: moto's server, the stage's resources, its saved data."""
