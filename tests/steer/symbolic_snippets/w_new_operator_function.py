def op(a, b):
    # a # b = 2a + b^2
    return 2 * a + b ** 2

result = op(op(3, 4), 5)
print(f"<<<{result}>>>")
