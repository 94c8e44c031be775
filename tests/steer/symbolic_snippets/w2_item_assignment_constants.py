answers = [None] * 3
answers[0] = "A"
answers[1] = "B"
answers[2] = "C"
print(f"<<<{answers}>>>")
