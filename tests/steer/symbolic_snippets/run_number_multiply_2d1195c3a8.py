def compute_answer(answer):
    if answer == "Correct":
        print(f"The answer is correct. The result of 5*25 is 110.")
    elif answer == "Wrong":
        print(f"The answer is wrong. The result of 5*25 is {answer}.")
    else:
        print(f"The answer is incorrect. The result of 5*25 is {answer}.")

compute_answer(5)
