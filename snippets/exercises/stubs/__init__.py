"""The files a learner fills in: each defines one function whose body raises NotImplementedError."""
