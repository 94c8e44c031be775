# handshakes among 25 people: n(n-1)/2
print(f"<<<{25 * 24 // 2}>>>")
