try:
    import numpy as np
except ImportError:
    np = None

final = [[1, 0], [0, 1]]
print(f"<<<{final}>>>")
