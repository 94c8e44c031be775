expr = "(10 - 4) * (13 - 9)"
print(f"<<<{expr}>>> evaluates to {eval(expr)}")
