price = 1_250_000
discount = price * 0.2
after_discount = price - discount
tax = after_discount * 0.08
print(f"<<<{after_discount + tax:.2f}>>>")
