"""The computations behind the lessons' panels, one module per lesson (see ../views/)."""
