import math

# ways to choose a committee of 3 from 8 people, then a chair among the 3
ways = math.comb(8, 3) * 3
print(f"<<<{ways}>>>")
