A, B, C = 3, 2, 1
X = Y = Z = 0
for _ in range(10):
    if A >= 1:
        A -= 1
        X += 2
    elif B >= 2:
        B -= 2
        Y += 1
    elif C >= 1 and X >= 1:
        C -= 1
        X -= 1
        Z += 1
    else:
        break
print(f"<<<{[A, B, C, X, Y, Z]}>>>")
