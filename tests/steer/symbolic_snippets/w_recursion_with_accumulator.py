def digit_sum_chain(n, steps=0):
    if n < 10:
        return n, steps
    return digit_sum_chain(sum(int(d) for d in str(n)), steps + 1)

value, steps = digit_sum_chain(987654321)
print(f"<<<{value} {steps}>>>")
