import math

a, b = 6, 8
hyp = math.sqrt(a ** 2 + b ** 2)
area = a * b / 2
print(f"<<<{hyp + area}>>>")
