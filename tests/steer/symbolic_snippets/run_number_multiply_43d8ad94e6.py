def compute_answer(answer):
    if answer == "Correct":
        print(f"The answer is correct. The result of 4*32*7321 is {answer}.")
    elif answer == "Wrong":
        print(f"The answer is wrong. The result of 4*32*7321 is {answer}.")
    else:
        print(f"The answer is incorrect. The result of 4*32*7321 is {answer}.")

compute_answer(4*32*7321)
