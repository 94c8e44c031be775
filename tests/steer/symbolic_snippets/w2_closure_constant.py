def outer():
    sol = [2, 0, 3, 1]

    def inner():
        return sol

    return inner()

print(f"<<<{outer()}>>>")
