def compute_answer(answer):
    if answer == "Correct":
        print(f"The result of {answer} is {answer}.")
    elif answer == "Wrong":
        print(f"The result of {answer} is {answer}.")
    else:
        print(f"The result of {answer} is {answer}.")

compute_answer(87*851*3021*4284)
