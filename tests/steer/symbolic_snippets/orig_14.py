import math
vals = [3, -4, 5]
print(f'<<<{math.prod(vals)}>>>')