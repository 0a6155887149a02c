"""The steps of the lifecycle: each a guard-checked change of one case, producing effects and audit."""
