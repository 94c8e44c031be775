import math

print(f"<<<{math.factorial(6) // (math.factorial(2) * math.factorial(2))}>>>")
