def check_answer(answer):
    if answer == 7:
        print(f"The answer is correct. The answer is {answer} hours.")
    elif answer < 7:
        print(f"The answer is incorrect. The answer is {answer} hours.")
    else:
        print(f"The answer is correct. The answer is {answer} hours.")

check_answer(7)
