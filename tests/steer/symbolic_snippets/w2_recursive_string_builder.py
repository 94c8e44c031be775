def build(n):
    return "" if n == 0 else build(n - 1) + "ab"

print(f"<<<{build(3)}>>>")
