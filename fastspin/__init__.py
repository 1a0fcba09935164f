"""fastspin: spin-transfer torques in magnetic multilayers and the macrospin dynamics they drive."""
__version__ = "0.1.0"
