answer = [3, 1, 4, 2]

def valid(p):
    return all(abs(p[i] - p[j]) != j - i for i in range(4) for j in range(i + 1, 4))

if valid(answer):
    print(f"<<<{answer}>>>")
else:
    print("no valid arrangement")
