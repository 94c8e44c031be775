def check_answer(answer):
    if answer == 2071.25:
        print(f"Correct: {answer} is correct.")
    elif answer == 2071.25:
        print(f"Wrong: {answer} is wrong.")
    else:
        print(f"Wrong: {answer} is wrong.")

check_answer(check_answer)
