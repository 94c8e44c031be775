def check_answer(answer):
    if answer == "D":
        print("The blue book is the rightmost.")
    elif answer == "B":
        print("The orange book is the rightmost.")
    elif answer == "C":
        print("The yellow book is the rightmost.")
    elif answer == "G":
        print("The white book is the rightmost.")
    elif answer == "E":
        print("The gray book is the rightmost.")
    else:
        print("The correct answer is D.")

check_answer(check_answer)
