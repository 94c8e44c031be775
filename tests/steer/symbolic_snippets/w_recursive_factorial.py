def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

print(f"<<<{fact(10) // (fact(3) * fact(7))}>>>")
