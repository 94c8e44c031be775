n = 2 ** 15
digits = 0
total = 0
while n:
    total += n % 10
    n //= 10
    digits += 1
print(f"<<<{total} {digits}>>>")
