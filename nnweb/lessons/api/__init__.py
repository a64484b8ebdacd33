"""The lessons' REST endpoints, one module per lesson beside its panel's computation."""
